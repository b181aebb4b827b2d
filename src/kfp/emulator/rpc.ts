/** A gRPC status as KFP's grpc-gateway returns it: `{code, message}` with the usual HTTP mapping. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code] ?? 500;
  }
}

const HTTP_STATUS: Record<number, number> = { 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401 };

export const invalid = (m: string) => new RpcError(3, `Invalid input error: ${m}`);
export const notFound = (m: string) => new RpcError(5, `NotFoundError: ${m}`);
export const alreadyExists = (m: string) => new RpcError(6, `Already exist error: ${m}`);
export const permissionDenied = (m: string) => new RpcError(7, `PermissionDenied: ${m}`);
export const failedPrecondition = (m: string) => new RpcError(9, `FailedPrecondition: ${m}`);
export const unauthenticated = (m: string) => new RpcError(16, `Unauthenticated: ${m}`);
