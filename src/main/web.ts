// Web host entry (npm run web). OWNER: web host work.
export {};
