/**
 * A gRPC status as KFP's grpc-gateway returns it. KFP's UserError carries two texts: the wrapped
 * internal chain (`message`, each layer prefixing its context) and the external message, sent as a
 * google.rpc.Status in `details` (backend/src/common/util/error.go `UserError.GRPCStatus`).
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The external message KFP puts in `details`; defaults to the message. */
    readonly external: string = message,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code] ?? 500;
  }

  /** The same error with a layer of context in front, as KFP's util.Wrap adds it. */
  wrap(context: string): RpcError {
    return new RpcError(this.code, `${context}: ${this.message}`, this.headers, this.external);
  }

  /** The answer's body: google.rpc.Status (v2beta1; v1beta1's gateway in KFP 2.x answers the same shape). */
  toBody(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      details: [{ '@type': 'type.googleapis.com/google.rpc.Status', code: this.code, message: this.external }],
    };
  }
}

const HTTP_STATUS: Record<number, number> = {
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

export const invalid = (m: string) => new RpcError(3, `Invalid input error: ${m}`, {}, m);
export const notFound = (m: string) => new RpcError(5, `NotFoundError: ${m}`, {}, m);
export const alreadyExists = (m: string) => new RpcError(6, `Already exist error: ${m}`, {}, m);
export const permissionDenied = (m: string) => new RpcError(7, `PermissionDenied: ${m}: Unauthorized access`, {}, m);
export const unauthenticated = (m: string, cause = m) => new RpcError(16, `Unauthenticated: ${m}: ${cause}`, {}, m);
/**
 * An input error KFP wraps as internal (NewInternalServerError around NewInvalidInputError): the
 * client sees HTTP 500 and "Internal Server Error" in details (server/api_converter.go).
 */
export const internalInvalid = (m: string, context: string) =>
  new RpcError(13, `InternalServerError: ${context}: Invalid input error: ${m}`, {}, 'Internal Server Error');
