import { Modal } from "antd";
import type { ModalProps } from "antd";

type Props = Omit<ModalProps, "open" | "onCancel" | "destroyOnHidden"> & {
  /** Closing by the ✕, Escape or Cancel: the caller unmounts the dialog. */
  onClose: () => void;
};

/**
 * A dialog of the window: open while it is drawn, closed by `onClose`, and its fields dropped
 * when it closes (the next time it opens fresh). Every other prop is Ant Design's Modal's.
 */
export function Dialog({ onClose, ...props }: Props) {
  return <Modal open destroyOnHidden onCancel={onClose} {...props} />;
}
