// English mail texts (namespace `mail`). Interpolated values are escaped by the renderer, never by i18next.
export const mail = {
  product: 'ARVlite',
  footer: {
    sentBy: 'Sent by {{product}} on behalf of {{company}}.',
    sentByProduct: 'Sent by {{product}}.',
    ignore: 'If you did not expect this email, you can ignore it.',
    unsubscribe: 'Unsubscribe from these emails',
    linkFallback: 'If the button does not work, copy this address into your browser:',
  },
  roles: { owner: 'owner', admin: 'admin', editor: 'editor', viewer: 'viewer' },
  invitation: {
    subject: 'You are invited to {{company}} on ARVlite',
    heading: 'Join {{company}}',
    bodyBy: '{{inviter}} invited you to join {{company}} on ARVlite as {{role}}.',
    body: 'You are invited to join {{company}} on ARVlite as {{role}}.',
    action: 'Accept the invitation',
    expires: 'The invitation is valid until {{date}}. Sign in or create an account with this address to accept it.',
  },
  verifyEmail: {
    subject: 'Confirm your email address for ARVlite',
    heading: 'Confirm your email address',
    greeting: 'Hello, {{name}}!',
    greetingAnon: 'Hello!',
    body: 'Confirm that this address belongs to you to finish setting up your ARVlite account.',
    action: 'Confirm email address',
    expires: 'The link works for 24 hours and only once.',
  },
  passwordReset: {
    subject: 'Reset your ARVlite password',
    heading: 'Reset your password',
    greeting: 'Hello, {{name}}!',
    greetingAnon: 'Hello!',
    body: 'Someone asked to reset the password of the ARVlite account with this address. If it was you, choose a new password:',
    action: 'Choose a new password',
    expires_one: 'The link works for {{count}} minute and only once. Your password stays the same until you use it.',
    expires_other: 'The link works for {{count}} minutes and only once. Your password stays the same until you use it.',
  },
};
