/**
 * Microsoft Teams: an Adaptive Card (1.4) in the message envelope that Teams Workflows
 * ("Post to a channel when a webhook request is received") and the older incoming-webhook
 * connectors both accept. Card text is plain TextBlocks and FactSets; Adaptive Cards render a
 * small Markdown subset, so values go through clean() and lose Markdown link syntax.
 */
import { alertFacts, alertTitle, summaryLines, summaryTitle, threatLines } from './alert-text.js';
import type { AlertFormatter } from './alert-message.js';

function plain(s: string): string {
  return s.replace(/[[\]*_`~]/g, (c) => `\\${c}`);
}

const title = (text: string): unknown => ({ type: 'TextBlock', size: 'Large', weight: 'Bolder', wrap: true, text: plain(text) });
const bullets = (lines: string[]): unknown[] => lines.map((l) => ({ type: 'TextBlock', wrap: true, spacing: 'None', text: `- ${plain(l)}` }));

function card(body: unknown[]): unknown {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  };
}

export const teamsFormat: AlertFormatter = (message) => {
  const first = message.items[0];
  if (!message.coalesced && first) {
    const alert = first.alert;
    return card([
      title(alertTitle(alert)),
      { type: 'FactSet', facts: alertFacts(alert).map(([k, v]) => ({ title: k, value: plain(v) })) },
      ...bullets(threatLines(alert)),
    ]);
  }
  const alerts = message.items.map((i) => i.alert);
  return card([title(summaryTitle(alerts)), ...bullets(summaryLines(alerts)), { type: 'TextBlock', isSubtle: true, text: `delivery ${message.deliveryId}` }]);
};
