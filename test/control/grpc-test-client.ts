/** A promise-based grpc-js client for any protobuf-es service, with a bearer token per call. */
import * as grpc from '@grpc/grpc-js';
import { create, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { grpcServiceDefinition } from '../../src/sidecar/grpc-service-definition.js';

type MethodsOf<S> = S extends GenService<infer T extends GenServiceMethods> ? T : never;

export interface TestClient<S> {
  call<K extends keyof MethodsOf<S> & string>(
    method: K,
    request: MessageInitShape<MethodsOf<S>[K]['input']>,
    token?: string,
  ): Promise<MessageShape<MethodsOf<S>[K]['output']>>;
  close(): void;
}

export function testClient<S extends DescService>(service: S, address: string): TestClient<S> {
  const Ctor = grpc.makeGenericClientConstructor(grpcServiceDefinition(service), service.typeName);
  const client = new Ctor(address, grpc.credentials.createInsecure());
  return {
    call(method, request, token) {
      const desc = service.methods.find((m) => m.localName === method);
      if (!desc) throw new Error(`unknown method ${method}`);
      const metadata = new grpc.Metadata();
      if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
      const message = create(desc.input, request as MessageInitShape<typeof desc.input>);
      return new Promise((resolve, reject) => {
        const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method] as (...args: unknown[]) => void;
        fn.call(client, message, metadata, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, res: unknown) =>
          err ? reject(err) : resolve(res as never),
        );
      });
    },
    close() {
      client.close();
    },
  };
}

/** The gRPC status code of a rejected call (or 'ok'). */
export async function codeOf(promise: Promise<unknown>): Promise<grpc.status | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    const code = (err as grpc.ServiceError).code;
    if (typeof code !== 'number') throw err;
    return code;
  }
}
