// Outgoing mail: SMTP transport (nodemailer), templates with an HTML and a text part in the recipient's language.
export {};
