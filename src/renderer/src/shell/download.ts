/** Hands a file produced by the core (base64 over the API) to the browser's download, in Electron and the web host. */
export function saveDownload(file: { dataBase64: string; mimeType: string; fileName: string }): void {
  const bytes = Uint8Array.from(atob(file.dataBase64), (ch) => ch.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
