import "./i18n";
import "antd/dist/antd.css";
import "./styles.css";

import { StyleProvider } from "@ant-design/cssinjs";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { Providers } from "./Providers";
import { createQueryClient } from "./queryClient";

const client = createQueryClient();

// The theme's values are written into the stylesheet when the UI is built (build/antdTheme.ts):
// the blocks of CSS variables Ant Design would add to the page as each component first appears
// go to an element outside the page instead, where they cost nothing.
const themeVariablesSink = document.createElement("div");

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <StyleProvider container={themeVariablesSink}>
      <Providers client={client}>
        <App />
      </Providers>
    </StyleProvider>
  </StrictMode>,
);
