/**
 * The Node options of every reconciler process the toolkit launches (deploy/kubernetes, reconcile.yml, the
 * benches), as NODE_OPTIONS. V8 sizes its young generation from the memory it sees: on a 16–24 GB machine it grows
 * to 64 MB semi-spaces, about 90 MB of resident memory more than a 32 MB cap at platform scale, for no measured gain
 * in time (`npm run bench`); in a pod it is sized from the pod's limit, smaller, and scavenges more often.
 */
export const RECONCILER_NODE_OPTIONS = '--max-semi-space-size=32';
