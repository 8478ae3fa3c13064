import { Alert, Button, Modal, Typography } from "antd";
import { memo } from "react";
import { useTranslation } from "react-i18next";

import type { BatchOutcome } from "../../bindings/BatchOutcome";

/** What a batch did, with a sentence saying which change when it needs saying. */
export type BatchResult = BatchOutcome & { headline?: string };

/** What a batch did: how many changed, and which could not, with the reason. */
function BatchResultModalView({ outcome, onClose }: { outcome: BatchResult | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={outcome !== null}
      data-testid="batch-result"
      title={t("batch.resultTitle")}
      onCancel={onClose}
      footer={[
        <Button key="ok" type="primary" data-testid="batch-result-ok" onClick={onClose}>
          {t("common.close")}
        </Button>,
      ]}
    >
      {outcome && (
        <>
          {outcome.headline && (
            <Typography.Paragraph data-testid="batch-result-headline">{outcome.headline}</Typography.Paragraph>
          )}
          <Alert
            type={outcome.skipped.length > 0 ? "warning" : "success"}
            showIcon
            data-testid="batch-result-summary"
            title={t("batch.summary", { changed: outcome.changed, unchanged: outcome.unchanged })}
            style={{ marginBottom: outcome.skipped.length > 0 ? 12 : 0 }}
          />
          {outcome.skipped.length > 0 && (
            <>
              <Typography.Text strong>{t("batch.skipped", { count: outcome.skipped.length })}</Typography.Text>
              <ul className="orgdesk-plain-list" data-testid="batch-skipped">
                {outcome.skipped.map((s) => (
                  <li key={s.id} data-testid={`batch-skipped-${s.id}`}>
                    <Typography.Text strong>{s.name}</Typography.Text>
                    <Typography.Text type="secondary">{s.reason}</Typography.Text>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </Modal>
  );
}

export const BatchResultModal = memo(BatchResultModalView);
