/** POSTs one Connect unary request with node's fetch (HTTP/1.1) and reads the answer. */
export async function connectPost(
  address: string,
  path: string,
  body: string | Uint8Array,
  contentType = 'application/json',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://${address}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    signal: AbortSignal.timeout(50_000),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  // Binary (proto) successes are not JSON; errors always are (Connect's unary error format).
  if (response.status === 200 && contentType === 'application/proto') return { status: 200, json: {} };
  return { status: response.status, json: JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown> };
}

/** Connect's Scan path on the sidecar. */
export const SCAN_PATH = '/bulwark.v1.SecurityScanService/Scan';
