/** The example policy, verbatim, shared by the action tests. */
export const EXAMPLE_POLICY_YAML = `apiVersion: bulwark.dev/v1
kind: Policy
metadata: { tenant: acme }
spec:
  agents:
    - id: data_processor
      owner: data-team@acme.example
      allowedActions: [TOOL_CALL, DATABASE_QUERY]
  actionRules:
    - id: http-only-internal
      appliesTo: [TOOL_CALL]
      target: http_request
      hosts: { allow: [internal.acme.example] }
      decision: ALLOW
    - id: shell-allowed
      appliesTo: [TOOL_CALL]
      target: execute_command
      decision: ALLOW
    - id: db-reads
      appliesTo: [DATABASE_QUERY]
      target: '*'
      decision: ALLOW
  rateLimits:
    - agent: data_processor
      actionType: DATABASE_QUERY
      perMinute: 50
`;
