// The handoff must accept cross-site requests (that is what a handoff is), so the portal protects
// its own state-changing requests instead: a browser that says another site started the request
// (Sec-Fetch-Site) is refused. Inside the partner's iframe the portal's own forms are still
// same-origin, so they keep working; a partner page cannot post to the portal on the user's behalf.
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameOriginPosts(req, res, next) {
  if (safeMethods.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  // Browsers without Fetch Metadata still send Origin on cross-origin POSTs; API clients send neither.
  const crossSite = site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`;
  if (crossSite) return res.status(403).type('text').send('Cross-site request refused.');
  next();
}
