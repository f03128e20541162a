import { inert } from './escape.js';

/** Long enough for any real command word, short enough that a pasted paragraph does not come back at the user. */
const MAX_ECHO = 40;

/** The one-line reply to a message whose first word is not a command; the word is echoed, escaped. */
export function unknownCommandHint(firstWord: string): string {
  const shown = inert(firstWord, MAX_ECHO);
  const nudge = 'Type help to see what I can do.';
  return shown ? `I don't know "${shown}". ${nudge}` : nudge;
}
