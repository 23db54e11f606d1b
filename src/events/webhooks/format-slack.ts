/**
 * Slack incoming-webhook payload: `text` (the notification and fallback line) plus Block Kit
 * blocks. Slack's mrkdwn treats `<…>` as links and mentions (`<!channel>`), so every value
 * is escaped (&, <, >) after clean() has clipped it.
 */
import { alertFacts, alertTitle, summaryLines, summaryTitle, threatLines } from './alert-text.js';
import type { AlertFormatter } from './alert-message.js';

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const mrkdwn = (text: string): { type: 'mrkdwn'; text: string } => ({ type: 'mrkdwn', text });
const section = (lines: string[]): unknown => ({ type: 'section', text: mrkdwn(lines.map((l) => `• ${escape(l)}`).join('\n')) });
const header = (text: string): unknown => ({ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } });

export const slackFormat: AlertFormatter = (message) => {
  const first = message.items[0];
  if (!message.coalesced && first) {
    const alert = first.alert;
    const facts = alertFacts(alert);
    const lines = threatLines(alert);
    return {
      text: escape(alertTitle(alert)),
      blocks: [
        header(alertTitle(alert)),
        // Slack allows at most 10 fields per section.
        { type: 'section', fields: facts.slice(0, 10).map(([k, v]) => mrkdwn(`*${k}*\n${escape(v)}`)) },
        ...(lines.length > 0 ? [section(lines)] : []),
      ],
    };
  }
  const alerts = message.items.map((i) => i.alert);
  return {
    text: escape(summaryTitle(alerts)),
    blocks: [
      header(summaryTitle(alerts)),
      section(summaryLines(alerts)),
      { type: 'context', elements: [mrkdwn(`delivery ${escape(message.deliveryId)}`)] },
    ],
  };
};
