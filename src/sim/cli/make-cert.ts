import { ensureCertificate } from '../cert.js';

// Run before any process that talks to the simulator, so that it can start with NODE_EXTRA_CA_CERTS set.
const { certPath } = await ensureCertificate();
console.log(certPath);
