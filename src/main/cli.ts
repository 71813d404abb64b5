// CLI entry (npm run cli). OWNER: lead.
export {};
