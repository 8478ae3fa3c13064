import "./i18n";
import "antd/dist/antd.css";
import "./styles.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { Providers } from "./Providers";
import { createQueryClient } from "./queryClient";

const client = createQueryClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Providers client={client}>
      <App />
    </Providers>
  </StrictMode>,
);
