// Sandboxed preload. OWNER: electron work.
export {};
