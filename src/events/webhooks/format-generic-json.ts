/**
 * The generic JSON format: the events in their SecurityEvent JSON form (the same form the
 * Kafka topics carry), in an envelope that is the same for one alert and for a summary, so a
 * receiver has one parser:
 *
 *   { "source": "bulwark", "deliveryId": "…", "coalesced": false, "count": 1, "events": [ {…} ] }
 */
import type { AlertFormatter } from './alert-message.js';

export const genericJsonFormat: AlertFormatter = (message) => ({
  source: 'bulwark',
  deliveryId: message.deliveryId,
  coalesced: message.coalesced,
  count: message.items.length,
  events: message.items.map((i) => i.json),
});
