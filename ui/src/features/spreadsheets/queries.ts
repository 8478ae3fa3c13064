import { useQuery } from "@tanstack/react-query";

import * as api from "../../api";
import type { ColumnMapping } from "../../bindings/ColumnMapping";
import type { SavedMapping } from "../../bindings/SavedMapping";
import { useCommand, useInvalidate, type CommandCallbacks } from "../../queryClient";

export function useSavedMappings() {
  return useQuery({ queryKey: api.sheetQueryKeys.savedMappings, queryFn: api.listSavedMappings });
}

const SAVED_MAPPING_KEYS = [api.sheetQueryKeys.savedMappings];

export function useSaveMapping(mapping: ColumnMapping, callbacks: CommandCallbacks<SavedMapping, string>) {
  return useCommand((name: string) => api.saveMapping(name, mapping), useInvalidate(SAVED_MAPPING_KEYS), callbacks);
}

export function useDeleteSavedMapping(callbacks: CommandCallbacks<null, number>) {
  return useCommand(api.deleteSavedMapping, useInvalidate(SAVED_MAPPING_KEYS), callbacks);
}

/** How many imports are left today, when the settings limit them. */
export function useImportQuota() {
  return useQuery({ queryKey: api.sheetQueryKeys.importQuota, queryFn: api.importQuotaStatus });
}

const IMPORT_QUOTA_KEYS = [api.sheetQueryKeys.importQuota];

/** What an import, a refusal for the quota or a new daily limit alters: the imports left today. */
export function useInvalidateImportQuota() {
  return useInvalidate(IMPORT_QUOTA_KEYS);
}
