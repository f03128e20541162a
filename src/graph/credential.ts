import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { Config } from '../config.js';

const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';

/**
 * Warden's identity, always one of @azure/identity's production classes: the managed identity in Azure (and in the
 * demo, where the simulator serves the App Service managed-identity endpoint), a certificate or secret elsewhere.
 */
export function createCredential(config: Readonly<Config>): TokenCredential {
  const { kind, clientId, certificatePath, secret, authorityHost } = config.credential;
  // Instance discovery asks the public cloud about the authority; a private authority (the simulator) has no entry.
  const options = { authorityHost, disableInstanceDiscovery: authorityHost !== PUBLIC_AUTHORITY };
  switch (kind) {
    case 'managed-identity':
      return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
    case 'client-certificate':
      return new ClientCertificateCredential(
        config.tenantId,
        clientId ?? '',
        { certificatePath: certificatePath ?? '' },
        options,
      );
    case 'client-secret':
      return new ClientSecretCredential(config.tenantId, clientId ?? '', secret ?? '', options);
  }
}
