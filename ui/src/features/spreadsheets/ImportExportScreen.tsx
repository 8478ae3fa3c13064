import { DeleteOutlined, DownloadOutlined, InboxOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Card, Popconfirm, Space, Typography, theme } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { SavedMapping } from "../../bindings/SavedMapping";
import { ListTable } from "../../components/ListTable";
import { TitledPage } from "../../components/TitledPage";
import { formatTime } from "../../components/text";
import { errorText } from "../../errors";
import { currentLanguage } from "../../i18n";
import { ExportCard } from "./ExportCard";
import { ImportDialog, type ChosenFile } from "./ImportDialog";
import { failureSentence, fileName, isSpreadsheet, sheetLang } from "./jobs";
import { useDeleteSavedMapping, useSavedMappings } from "./queries";

function SavedMappingsCard() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const saved = useSavedMappings();
  const remove = useDeleteSavedMapping({
    onSuccess: () => void message.success(t("importExport.mappings.deleted")),
    onError: (e) => void message.error(errorText(t, e)),
  });
  return (
    <Card variant="outlined" title={t("importExport.mappings.title")} styles={{ body: { padding: 0 } }}>
      <ListTable<SavedMapping>
        list={saved}
        testId="saved-mappings"
        emptyText={t("importExport.mappings.empty")}
        columns={[
          { key: "name", title: t("importExport.mappings.name"), dataIndex: "name" },
          {
            key: "updated",
            title: t("importExport.mappings.updated"),
            width: 200,
            render: (_v, m) => formatTime(currentLanguage(), m.updatedAt),
          },
          {
            key: "actions",
            width: 60,
            align: "right",
            render: (_v, m) => (
              <Popconfirm
                title={t("importExport.mappings.deleteConfirm", { name: m.name })}
                okText={t("importExport.mappings.delete")}
                cancelText={t("common.cancel")}
                okButtonProps={{ danger: true, "data-testid": "mapping-delete-ok" }}
                onConfirm={() => remove.mutate(m.id)}
              >
                <Button
                  type="text"
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t("importExport.mappings.delete")}
                  data-testid={`mapping-delete-${m.id}`}
                />
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}

/** Import / Export: the template, import from a chosen or dropped file, export, saved mappings. */
export function ImportExportScreen() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const { message } = AntApp.useApp();
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [dragging, setDragging] = useState(false);
  const [savingTemplate, setSavingTemplate] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const fileOpen = useRef(false);
  useEffect(() => {
    fileOpen.current = file !== null;
  }, [file]);

  const open = useCallback(
    (path: string) => {
      if (!isSpreadsheet(path)) {
        void message.warning(t("importExport.import.dropNotSpreadsheet"));
        return;
      }
      setFile({ path, name: fileName(path) });
    },
    [message, t],
  );

  // A spreadsheet dropped anywhere on the window opens the import (unless one is under way).
  useEffect(() => {
    let active = true;
    void api
      .watchFileDrops((d) => {
        if (!active) return;
        if (d.kind === "enter") setDragging(!fileOpen.current);
        else if (d.kind === "leave") setDragging(false);
        else {
          setDragging(false);
          const first = d.paths[0];
          if (first && !fileOpen.current) open(first);
        }
      })
      .catch(() => undefined);
    return () => {
      active = false;
    };
  }, [open]);

  const choose = async () => {
    setChoosing(true);
    try {
      const path = await api.chooseImportFile(t("importExport.import.chooseDialog"));
      if (path) open(path);
    } catch (e) {
      void message.error(failureSentence(t, api.toCommandError(e)));
    } finally {
      setChoosing(false);
    }
  };

  const template = async () => {
    setSavingTemplate(true);
    try {
      const path = await api.saveTemplate(sheetLang(), t("importExport.import.templateDialog"));
      if (path) void message.success(<span data-testid="template-saved">{t("importExport.import.templateSaved", { path })}</span>);
    } catch (e) {
      void message.error(failureSentence(t, api.toCommandError(e)));
    } finally {
      setSavingTemplate(false);
    }
  };

  return (
    <TitledPage title={t("importExport.title")} testId="screen-importExport">
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        <Card
          variant="outlined"
          title={t("importExport.import.title")}
          data-testid="import-card"
          extra={
            <Button icon={<DownloadOutlined />} loading={savingTemplate} onClick={() => void template()} data-testid="sheet-template">
              {t("importExport.import.template")}
            </Button>
          }
        >
          <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
            {t("importExport.import.intro")}
          </Typography.Paragraph>
          <div
            data-testid="sheet-drop-zone"
            data-dragging={dragging ? "true" : "false"}
            style={{
              border: "1px dashed",
              padding: "28px 16px",
              textAlign: "center",
              cursor: "pointer",
              transition: "border-color 0.2s, background 0.2s",
              borderColor: dragging ? token.colorPrimary : token.colorBorder,
              background: dragging ? token.colorPrimaryBg : token.colorFillQuaternary,
              borderRadius: token.borderRadiusLG,
            }}
            // The button inside is the keyboard path; the whole area also takes a click.
            onClick={() => !choosing && void choose()}
          >
            <InboxOutlined style={{ fontSize: 40, color: token.colorPrimary }} />
            <Typography.Text strong style={{ display: "block", marginTop: 8 }}>
              {dragging ? t("importExport.import.dropActive") : t("importExport.import.drop")}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ display: "block", marginBottom: 12 }}>
              {t("importExport.import.dropHint")}
            </Typography.Text>
            <Button
              type="primary"
              loading={choosing}
              data-testid="sheet-choose-file"
              onClick={(e) => {
                e.stopPropagation();
                void choose();
              }}
            >
              {t("importExport.import.choose")}
            </Button>
          </div>
        </Card>
        <ExportCard />
        <SavedMappingsCard />
      </Space>
      {file && (
        <ImportDialog
          key={file.path}
          file={file}
          onClose={() => setFile(null)}
          onChooseAnother={() => {
            setFile(null);
            void choose();
          }}
        />
      )}
    </TitledPage>
  );
}
