export const CDS_BUILDER_FLAG = '--zkpseudo-cds-builder';
