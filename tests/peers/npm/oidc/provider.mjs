// An OpenID Connect provider on 127.0.0.1 that stands in for Google in the tests.
//
//   node provider.mjs            listen on a free port
//   node provider.mjs 8455       listen on port 8455
//
// When it is listening it writes one JSON line {"issuer": ..., "pid": ...} to stdout,
// before anything else. Environment:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  the desktop client (default desktop-app/desktop-secret)
//   OIDC_ACCESS_TOKEN_TTL               access token lifetime in seconds (default 3600)
//
// It behaves like Google for a "Desktop app" client: a native client whose redirect is
// http://127.0.0.1 on any port, PKCE S256 required, a refresh token with every grant
// (Google's access_type=offline) that is not rotated, RFC 7009 revocation, and scopes
// named as Google names them. The login and consent pages are oidc-provider's built-in
// development forms; any login and password are accepted and the login becomes the
// account's subject.
import http from 'node:http';
import Provider from 'oidc-provider';

const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const USERINFO_PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';
const GOOGLE_API_SCOPES = [
  'https://mail.google.com/',
  'https://www.googleapis.com/auth/gmail.labels',
  'https://www.googleapis.com/auth/gmail.addons.current.action.compose',
  'https://www.googleapis.com/auth/gmail.addons.current.message.action',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://www.googleapis.com/auth/gmail.compose',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/drive.appdata',
  'https://www.googleapis.com/auth/drive.metadata',
  'https://www.googleapis.com/auth/drive.photos.readonly',
  'https://www.googleapis.com/auth/spreadsheets',
  'https://www.googleapis.com/auth/documents',
  'https://www.googleapis.com/auth/presentations',
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/tasks',
  'https://www.googleapis.com/auth/contacts',
];

const port = Number(process.argv[2] ?? 0);

// Accounts are made up on first sight: the login typed in the form is the subject.
async function findAccount(_ctx, subject) {
  const name = subject.charAt(0).toUpperCase() + subject.slice(1);
  return {
    accountId: subject,
    async claims() {
      return { sub: subject, email: `${subject}@example.test`, email_verified: true, name };
    },
  };
}

const configuration = {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID ?? 'desktop-app',
    // Google's desktop clients carry a secret too, sent in the token request body.
    client_secret: process.env.OIDC_CLIENT_SECRET ?? 'desktop-secret',
    application_type: 'native',
    // For native clients, a loopback redirect URI matches on any port (RFC 8252).
    redirect_uris: ['http://127.0.0.1/'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  pkce: { required: () => true },
  // Google's scope names, each a plain scope so that one access token carries them
  // all and the token response repeats every granted scope.
  scopes: ['openid', 'offline_access', USERINFO_EMAIL, USERINFO_PROFILE, ...GOOGLE_API_SCOPES],
  claims: {
    openid: ['sub'],
    [USERINFO_EMAIL]: ['email', 'email_verified'],
    [USERINFO_PROFILE]: ['name'],
  },
  // Like Google, put the granted claims in the ID token, not only behind /me.
  conformIdTokenClaims: false,
  findAccount,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: false,
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
  },
  ttl: {
    AccessToken: Number(process.env.OIDC_ACCESS_TOKEN_TTL ?? 3600),
    AuthorizationCode: 120,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Interaction: 600,
    Session: 3600,
  },
  cookies: { keys: ['mantra-desktop-test-provider'] },
};

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  for (const event of ['authorization.error', 'grant.error', 'revocation.error']) {
    provider.on(event, (_ctx, error) => console.error(event, error.error, error.error_detail ?? ''));
  }
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer, pid: process.pid }));
});

function shutDown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
