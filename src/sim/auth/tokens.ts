import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';

/** Resource identifiers the simulator issues tokens for; Dataverse audiences are environment URLs. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const BAP_RESOURCES = ['https://service.powerapps.com', 'https://api.bap.microsoft.com'];

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  azp: string;
  oid: string;
  roles: string[];
  idtyp: 'app';
  iat: number;
  nbf: number;
  exp: number;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; message: string };

/** Signs and verifies the simulator's access tokens (RS256, like Entra's). */
export class TokenAuthority {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly jwk: JWK,
    readonly kid: string,
  ) {}

  static async create(): Promise<TokenAuthority> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = await exportJWK(publicKey);
    const kid = `sim-${Date.now().toString(36)}`;
    return new TokenAuthority(privateKey, publicKey, { ...jwk, kid, use: 'sig', alg: 'RS256' }, kid);
  }

  async sign(
    claims: Omit<TokenClaims, 'iat' | 'nbf' | 'exp'>,
    nowMs: number,
    lifetimeSeconds: number,
  ): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuedAt(iat)
      .setNotBefore(iat - 300)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(this.privateKey);
  }

  /** Verifies signature and lifetime against the simulator's clock; the audience is checked by the caller. */
  async verify(token: string, nowMs: number): Promise<VerifyResult> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        currentDate: new Date(nowMs),
        algorithms: ['RS256'],
      });
      return { ok: true, claims: payload as unknown as TokenClaims };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED')
        return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
      return { ok: false, message: 'Access token validation failure. Invalid signature or malformed token.' };
    }
  }
}
