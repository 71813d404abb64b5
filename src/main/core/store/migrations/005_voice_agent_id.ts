// Provider settings name the provider's AI agent `voiceAgentId` (it was `agentId`, a name the roster of human agents
// also used). The settings are one JSON document under the key "providers"; each provider's stored id moves to the
// new key, and nothing else in the document changes.
const renameIn = (provider: string) => /* sql */ `
UPDATE settings
   SET value_json = json_remove(
         json_set(value_json, '$.${provider}.voiceAgentId', json_extract(value_json, '$.${provider}.agentId')),
         '$.${provider}.agentId')
 WHERE key = 'providers' AND json_type(value_json, '$.${provider}.agentId') = 'text';
`;

export const up = ['bolna', 'bolna_twilio', 'retell'].map(renameIn).join('');
