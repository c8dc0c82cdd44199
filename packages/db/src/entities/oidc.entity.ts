import { defineEntity, p } from '@mikro-orm/core';
import { UserSchema } from './user.entity.ts';

/** Links an external OpenID Connect subject to a user. */
export const OidcIdentitySchema = defineEntity({
  name: 'OidcIdentity',
  tableName: 'oidc_identity',
  uniques: [{ properties: ['provider', 'subject'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    provider: p.string().length(32),
    subject: p.string().length(255),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade').index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class OidcIdentity extends OidcIdentitySchema.class {}
OidcIdentitySchema.setClass(OidcIdentity);

/** PKCE verifier, state and nonce of a sign-in in progress; kept in Postgres so any instance can finish it. */
export const OidcLoginStateSchema = defineEntity({
  name: 'OidcLoginState',
  tableName: 'oidc_login_state',
  properties: {
    state: p.string().length(128).primary(),
    provider: p.string().length(32),
    codeVerifier: p.string().length(128).hidden(),
    nonce: p.string().length(128),
    redirectUri: p.string().length(2048),
    /** SHA-256 of the random value only the client that started the sign-in holds; the callback must present it. */
    bindingHash: p.string().length(64).hidden(),
    expiresAt: p.datetime().index(),
  },
});
export class OidcLoginState extends OidcLoginStateSchema.class {}
OidcLoginStateSchema.setClass(OidcLoginState);
