// Electron main entry. OWNER: electron work (issue 10).
export {};
