"""KitOps ModelKits: references, ModelKitIDs, the layers a Kitfile declares, and OCI image layouts."""
