/**
 * A LangChain.js-style tool guarded by Bulwark's CheckAction.
 *
 * LangChain.js tools are objects with a name, a description and an async `invoke(input)`
 * (what `tool(fn, { name, description, schema })` from @langchain/core/tools returns). Wrapping
 * the function with guardTool before handing it to `tool(...)` puts CheckAction in front of
 * every call the model makes; the wrapper keeps the function's signature.
 *
 * Run against a sidecar with the example policy of docs/agents.md:
 *   bulwark sidecar --policy agents-policy.yaml --audit-log audit.log &
 *   npx tsx examples/agents/langchain-style-tool.ts
 */
import { createAgentActionClient } from '../../src/agents/action-client.js';
import { ActionDeniedError, guardTool } from '../../src/agents/guard-tool.js';

/** The minimal shape LangChain's agent executors call (StructuredTool.invoke). */
interface Tool<I> {
  name: string;
  description: string;
  invoke(input: I): Promise<string>;
}

/** Stand-in for @langchain/core/tools' `tool(fn, fields)`. */
function tool<I>(fn: (input: I) => Promise<string>, fields: { name: string; description: string }): Tool<I> {
  return { ...fields, invoke: fn };
}

async function httpRequest(input: { url: string }): Promise<string> {
  const res = await fetch(input.url);
  return (await res.text()).slice(0, 2_000);
}

const client = createAgentActionClient(process.env.BULWARK_ADDRESS ?? '127.0.0.1:50051');
const guarded = guardTool(httpRequest, {
  client,
  tenantId: 'acme',
  agentId: 'data_processor',
  goal: 'summarise the internal weekly report',
  target: 'http_request',
});
const httpTool = tool(guarded, { name: 'http_request', description: 'GET a URL and return the start of its body' });

for (const url of ['https://internal.acme.example/reports/weekly', 'https://evil.example/collect']) {
  try {
    console.log(url, '->', (await httpTool.invoke({ url })).slice(0, 80));
  } catch (err) {
    if (err instanceof ActionDeniedError) console.log(url, '-> denied:', err.reasonCode, err.message);
    else console.log(url, '-> tool failed:', (err as Error).message);
  }
}
client.close();
