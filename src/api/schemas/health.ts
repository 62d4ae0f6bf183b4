// Response shapes of liveness and readiness.
import { Type } from 'typebox';

export const Live = Type.Object({ status: Type.Literal('ok') });
export const Ready = Type.Object({ db: Type.String(), temporal: Type.String() });
