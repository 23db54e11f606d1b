/** Format name → body builder (one line per format). */
import type { AlertFormatName } from './alert-destination.js';
import type { AlertFormatter } from './alert-message.js';
import { genericJsonFormat } from './format-generic-json.js';
import { slackFormat } from './format-slack.js';
import { teamsFormat } from './format-teams.js';

export const ALERT_FORMATTERS: Readonly<Record<AlertFormatName, AlertFormatter>> = {
  json: genericJsonFormat,
  slack: slackFormat,
  teams: teamsFormat,
};
