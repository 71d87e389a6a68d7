// A real OpenID provider on loopback for the login tests (tests/oidc/conftest.py starts it).
// Configuration from the environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SIGNING_KEY
// (a private JWK as JSON, so the tests' tampering proxy can re-sign tokens), TOKEN_ENDPOINT
// (where discovery sends clients to exchange the code: the tampering proxy). Its development
// interactions log in any account name, which is also the account's verified e-mail address.
import Provider from 'oidc-provider';

const env = process.env;
const issuer = `http://127.0.0.1:${env.PORT}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: env.CLIENT_ID,
    client_secret: env.CLIENT_SECRET,
    redirect_uris: env.REDIRECT_URI.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [JSON.parse(env.SIGNING_KEY)] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: !id.startsWith('unverified'), name: `Naam van ${id.split('@')[0]}` };
      },
    };
  },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/.well-known/openid-configuration' && env.TOKEN_ENDPOINT) {
    ctx.body = { ...ctx.body, token_endpoint: env.TOKEN_ENDPOINT };
  }
});

provider.listen(Number(env.PORT), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
