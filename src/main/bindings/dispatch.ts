import { z } from 'zod';
import {
  contract,
  type ApiHandlers,
  type ApiErrorBody,
  type InvokeResult,
  type MethodName,
} from '../../shared/contract';
import { ApiError } from '../core/api';
import type { Logger } from '../core/platform';

const isMethod = (name: string): name is MethodName => Object.hasOwn(contract, name);

/**
 * The single request path shared by the IPC and WebSocket bindings: method must be in the contract, input is
 * validated against its schema, output against its schema, and every failure becomes an ApiErrorBody.
 */
export async function dispatch(
  handlers: ApiHandlers,
  method: string,
  rawInput: unknown,
  logger: Logger,
): Promise<InvokeResult> {
  if (!isMethod(method)) return fail({ code: 'not_found', message: `Unknown method "${method}".` });
  const def = contract[method];
  const parsed = def.input.safeParse(rawInput ?? {});
  if (!parsed.success) return fail(invalidInput(method, parsed.error));
  try {
    const handler = handlers[method] as (input: unknown) => unknown;
    const value = await handler(parsed.data);
    const checked = def.output.safeParse(value);
    if (!checked.success) {
      logger.log('error', 'api', `Handler ${method} returned data outside the contract`, {
        issues: checked.error.issues.slice(0, 3),
      });
      return fail({ code: 'internal', message: `${method} returned an unexpected shape; see the log.` });
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    if (err instanceof ApiError) return fail({ code: err.code, message: err.message });
    if (err instanceof z.ZodError) return fail(invalidInput(method, err));
    logger.log('error', 'api', `${method} failed`, { error: err instanceof Error ? err.message : String(err) });
    return fail({ code: 'internal', message: err instanceof Error ? err.message : String(err) });
  }
}

function invalidInput(method: string, error: z.ZodError): ApiErrorBody {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  return {
    code: 'invalid_input',
    message: `${method}: ${first ? `${first.path || 'input'}: ${first.message}` : 'invalid input'}`,
    issues,
  };
}

const fail = (error: ApiErrorBody): InvokeResult => ({ ok: false, error });
