// What API Gateway's Cognito User Pools authorizer does, with jose: verify the
// RS256 signature against the pool's JWKS, the issuer, the expiry, and that the
// token was issued to our app client. (aws-jwt-verify refuses http issuers and
// non-AWS pool ids, which cognito-local has.)
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

export type AuthFailure = 'missing' | 'expired' | 'invalid';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly reason: AuthFailure,
    message: string,
  ) {
    super(message);
  }
}

export type TokenVerifier = (authorization: string | undefined) => Promise<JWTPayload>;

export function createCognitoVerifier(options: { issuer: string; clientId: string }): TokenVerifier {
  // Fetched once and cached by jose; re-fetched when a token names an unknown key.
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`));
  return async function verify(authorization) {
    if (!authorization || authorization.trim() === '') throw new AuthError('missing', 'no Authorization header');
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: options.issuer, algorithms: ['RS256'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AuthError('expired', 'the token has expired');
      throw new AuthError('invalid', `the token is not valid: ${(err as Error).message}`);
    }
    const use = payload.token_use;
    const audience = use === 'access' ? payload.client_id : payload.aud;
    const audiences = Array.isArray(audience) ? audience : [audience];
    if ((use !== 'id' && use !== 'access') || !audiences.includes(options.clientId)) {
      throw new AuthError('invalid', 'the token was not issued to this API client');
    }
    return payload;
  };
}
