// Spreadsheet parsing off the main thread. OWNER: contacts work (issue 3).
export {};
