// The dashboard's entry: global styles, then the app mounted into #app.
import { mount } from 'svelte';
import App from './App.svelte';
import './styles.css';

mount(App, { target: document.getElementById('app') as HTMLElement });
