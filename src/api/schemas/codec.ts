// Request and response shapes of the Temporal codec server (payloads in base64).
import { Type } from 'typebox';

export const WirePayload = Type.Object({ metadata: Type.Optional(Type.Record(Type.String(), Type.String({ description: 'base64' }))), data: Type.Optional(Type.String({ description: 'base64' })) });
// Protobuf JSON omits an empty list: the Temporal CLI sends `{}` for no payloads (workflow metadata).
export const Payloads = Type.Object(
  { payloads: Type.Optional(Type.Array(WirePayload, { maxItems: 10_000 })) },
  { examples: [{ payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJhIjoxfQ==' }] }] },
);
export const PayloadsAnswer = Type.Object({ payloads: Type.Array(WirePayload) });
