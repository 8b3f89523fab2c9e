import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the guest sign-in page', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    // Without a session the app shows our sign-in page with the guest provider.
    expect(await screen.findByText('Cellplane', {}, { timeout: 15000 })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: /enter/i })).toBeInTheDocument();
  });
});
