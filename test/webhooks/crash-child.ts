// Runs a real core on the data folder given as argv[2] and dies (SIGKILL) at the moment the first webhook event
// would be applied, i.e. right after its answer went out: the crash the inbox exists for.
import { simulatorSigningKey } from '../../src/main/core/providers/simulator';
import { createTestCore } from '../support/core';

const core = createTestCore({ dataDir: process.argv[2] });
core.calls.applyEvent = () => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('killed');
};
await core.start();
process.stdout.write(
  `${JSON.stringify({ hookUrl: core.webhooks.hookUrl('simulator'), key: simulatorSigningKey(core.secrets) })}\n`,
);
