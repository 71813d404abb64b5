import type { Logger, SecretCipher } from '../core/platform';
import type { SafeStorageLike } from './types';

/**
 * Secrets encrypted by the OS keychain through Electron safeStorage (call after app 'ready'). When the OS offers no
 * keychain (a Linux session without a secret service), falls back to the given file-key cipher and says so in the
 * log, because then anyone who can read the data folder can read the keys.
 */
export function createSafeStorageCipher(
  safeStorage: SafeStorageLike,
  options: { logger: Logger; platform: NodeJS.Platform; fallback: () => SecretCipher },
): SecretCipher {
  const { logger, platform } = options;
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    logger.log(
      'warn',
      'secrets',
      'The OS keychain is not available' +
        (backend ? ` (safeStorage backend "${backend}")` : '') +
        '; secrets are encrypted with a key file in the data folder instead. Install and unlock a keyring ' +
        '(e.g. gnome-keyring or KWallet) for stronger protection.',
    );
    return options.fallback();
  }
  return {
    kind: 'os-keychain',
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (blob) => safeStorage.decryptString(Buffer.from(blob)),
  };
}
