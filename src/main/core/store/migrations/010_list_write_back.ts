// A list imported with "write the outcomes back at the end" keeps the path of its original call_list.csv: when a
// campaign on the list completes, the console writes the outcomes into that file (contacts/writeback.ts).
export const up = /* sql */ `
ALTER TABLE lists ADD COLUMN write_back_path TEXT;
`;
