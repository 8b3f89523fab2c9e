import type { FrontDoorRules } from './frontDoor';
import { ProblemList } from './fields';

/** The longest `reason` accepted: a justification, not a document (link the document instead). */
export const MAX_REASON_LENGTH = 500;

/** Options of the checks that depend on platform settings. */
export interface DeclarationRules {
  /** `cells.compliance.requireReasons`: every connection and allowFrom grant must say why. */
  requireReasons?: boolean;
  /** cells.gateway's implementation and requireAuthentication; default: the default settings'. */
  frontDoor?: FrontDoorRules;
}

/**
 * Checks an optional `reason` (why a declared access is needed, for the
 * evidence pack's register). Returns it trimmed, or undefined when absent or
 * invalid; a missing one is a problem only when `required`.
 */
export function checkReason(list: ProblemList, field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) {
      list.add(
        `${field}.reason`,
        'gives no reason, and cells.compliance.requireReasons requires one on every connection and allowFrom grant',
        `add reason: "<why this access is needed>" (free text, at most ${MAX_REASON_LENGTH} characters)`,
      );
    }
    return undefined;
  }
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') {
    list.add(`${field}.reason`, 'must be non-empty text', 'say in a sentence why this access is needed, or leave reason out');
    return undefined;
  }
  if (text.length > MAX_REASON_LENGTH) {
    list.add(
      `${field}.reason`,
      `is ${text.length} characters long, more than ${MAX_REASON_LENGTH}`,
      'shorten it, and link a longer document (a ticket, a design note) from it',
    );
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) {
    list.add(`${field}.reason`, 'contains control characters', 'write plain text (line breaks and tabs are fine)');
    return undefined;
  }
  return text;
}
