import type { Logger, Notifier } from '../core/platform';
import type { NotificationFactory } from './types';

/** OS notifications (transfers, campaign finished); clicking one brings the console to the front. */
export function createOsNotifier(
  factory: NotificationFactory,
  options: { logger: Logger; onClick: () => void },
): Notifier {
  return {
    notify(title, body) {
      options.logger.log('info', 'notify', `${title}: ${body}`);
      if (!factory.isSupported()) return;
      const notification = factory.create({ title, body });
      notification.on('click', options.onClick);
      notification.show();
    },
  };
}
