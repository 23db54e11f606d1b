/**
 * The connection flags of the GitOps commands, kept apart from the client (which loads
 * grpc-js) so that `bulwark --help` and other commands do not pay for it.
 */

export const SERVER_FLAGS = {
  server: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
} as const;

export const SERVER_HELP = `Connection (flag, then environment variable):
  --server ADDR        control plane host:port (BULWARK_CONTROL_PLANE)
  --tls-ca FILE        verify the control plane with this CA (BULWARK_TLS_CA); with
  --tls-cert FILE      --tls-cert/--tls-key also present a client certificate
  --tls-key FILE       (BULWARK_TLS_CERT, BULWARK_TLS_KEY)
  The token is read from BULWARK_TOKEN, or from the file named by BULWARK_TOKEN_FILE.
`;
