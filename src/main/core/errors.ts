import type { z } from 'zod';
import type { ApiErrorCode, FieldIssue } from '@shared/contract/define';

// Errors the user can act on. A leaf module: any service may throw these (or its own subclasses) without knowing
// how the answer travels; the bindings' dispatch turns them into the contract's ApiErrorBody, once. Anything else
// thrown reaches the caller only as a generic internal error, so a message must be written for the user to get here.

export type UserErrorCode = Exclude<ApiErrorCode, 'internal'>;
export type { FieldIssue };

export class ApiError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    /** For invalid_input: each field that is wrong, so a form can show the problem beside its input. */
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** zod's own wording for these names no fix; the contract's custom messages already do. */
function withFix(issue: z.core.$ZodIssue, path: string): FieldIssue {
  if (issue.code === 'invalid_format' && issue.format === 'url') {
    return {
      path,
      message: 'not a full URL',
      fix: 'give it with https:// (or http://), e.g. https://calls.example.com',
    };
  }
  return { path, message: issue.message };
}

/**
 * An invalid_input error from a zod failure, one issue per field. `at` maps a zod path to where the value sits in
 * the method's input (for values parsed inside a service); `subject` prefixes the summary message.
 */
export function invalidInput(
  error: z.ZodError,
  options: { subject?: string; at?: (path: PropertyKey[]) => PropertyKey[] } = {},
): ApiError {
  const at = options.at ?? ((p) => p);
  const issues = error.issues.map((i) => withFix(i, at(i.path).map(String).join('.')));
  const first = issues[0];
  const summary = first
    ? `${first.path || 'input'}: ${first.message}${first.fix ? `: ${first.fix}` : ''}`
    : 'invalid input';
  return new ApiError('invalid_input', options.subject ? `${options.subject}: ${summary}` : summary, issues);
}

/** The message of anything thrown, for logs and error text (a thrown non-Error is shown as it is). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
