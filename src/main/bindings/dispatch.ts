import { z } from 'zod';
import { contract, type ApiErrorBody, type ApiHandlers, type InvokeResult, type MethodName } from '@shared/contract';
import { ApiError, invalidInput } from '../core/errors';
import type { Logger } from '../core/platform';

const isMethod = (name: string): name is MethodName => Object.hasOwn(contract, name);

/**
 * The single request path shared by the IPC and WebSocket bindings (and the CLI): method must be in the contract,
 * input is validated against its schema, output against its schema, and every failure becomes an ApiErrorBody here
 * and nowhere else.
 */
export async function dispatch(
  handlers: ApiHandlers,
  method: string,
  rawInput: unknown,
  logger: Logger,
): Promise<InvokeResult> {
  if (!isMethod(method)) return fail(new ApiError('not_found', `Unknown method "${method}".`), method, logger);
  const def = contract[method];
  const parsed = def.input.safeParse(rawInput ?? {});
  if (!parsed.success) return fail(invalidInput(parsed.error, { subject: method }), method, logger);
  try {
    const handler = handlers[method] as (input: unknown) => unknown;
    const value = await handler(parsed.data);
    const checked = def.output.safeParse(value);
    if (!checked.success) {
      logger.log('error', 'api', `Handler ${method} returned data outside the contract`, {
        issues: checked.error.issues.slice(0, 3).map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
      return {
        ok: false,
        error: { code: 'internal', message: `${method} returned an unexpected shape; see the log.` },
      };
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    return fail(err, method, logger);
  }
}

function fail(err: unknown, method: string, logger: Logger): InvokeResult {
  return { ok: false, error: errorBody(err, method, logger) };
}

/**
 * User-facing errors pass with their code, message and field issues; a zod failure inside a service is bad input
 * too. Anything else is a bug or a fault whose text was not written for the user (and may carry paths or payloads):
 * it is logged with its stack and answered with a generic message.
 */
function errorBody(err: unknown, method: string, logger: Logger): ApiErrorBody {
  const known = err instanceof z.ZodError ? invalidInput(err, { subject: method }) : err;
  if (known instanceof ApiError) {
    const body: ApiErrorBody = { code: known.code, message: known.message };
    if (known.issues.length) body.issues = known.issues.map((i) => ({ ...i }));
    return body;
  }
  logger.log('error', 'api', `${method} failed unexpectedly`, {
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
  return { code: 'internal', message: `${method} failed unexpectedly; the details are in the log.` };
}
