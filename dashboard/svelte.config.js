// Svelte compiler options for the dashboard (read by the Vite plugin and svelte-check): runes everywhere.
export default { compilerOptions: { runes: true } };
