import Typography from '@material-ui/core/Typography';

/** What the backend answered, in words, instead of a blank panel. */
export function ErrorNote({ error, what }: { error: Error; what: string }) {
  return (
    <Typography role="alert" color="error" variant="body2">
      Could not load {what}: {error.message}
    </Typography>
  );
}
