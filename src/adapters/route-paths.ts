/**
 * Every route the router adds, below its mount point: the handoff, the session-token endpoint
 * and its revocation, and the vendor's JSON Authentication service. The routes and the testing
 * kit (`login-with-token/testing`) both read them from here.
 */
export const routePaths = {
  handoff: '/authentication/login',
  token: '/authentication/token',
  logout: '/authentication/logout',
  /** The vendor's Authentication service, answering failures as `{"error":…}`. */
  logon: {
    logonWithToken: '/Authentication/LogonWithToken',
    getAllTenantNames: '/Authentication/GetAllTenantNames',
    getTokenSettings: '/Authentication/GetTokenSettings',
    logoff: '/Authentication/Logoff',
  },
} as const;
