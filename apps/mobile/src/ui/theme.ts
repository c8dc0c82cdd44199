// Colours and spacing shared by every screen.
export const colors = {
  background: '#0f1115',
  surface: '#1a1d24',
  border: '#2a2f3a',
  text: '#f3f4f6',
  muted: '#9aa3b2',
  accent: '#4f8cff',
  accentText: '#ffffff',
  danger: '#ff6b6b',
  success: '#3ecf8e',
  warning: '#f5b942',
};

export const space = (n: number) => n * 8;
