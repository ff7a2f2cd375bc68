//! The generated protobuf types, tonic client and server of
//! `proto/msgscreen/v1/screening.proto`, and its descriptor set.

#![allow(missing_docs, clippy::all, clippy::pedantic)]

tonic::include_proto!("msgscreen.v1");

/// The encoded descriptor set of the proto, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("msgscreen_descriptor");

#[cfg(test)]
mod tests {
    use prost::Message as _;

    #[test]
    fn descriptor_set_decodes_and_names_the_service() {
        let set = prost_types::FileDescriptorSet::decode(super::FILE_DESCRIPTOR_SET).unwrap();
        let file = set
            .file
            .iter()
            .find(|f| f.package() == "msgscreen.v1")
            .unwrap();
        assert_eq!(file.service[0].name(), "Screening");
    }
}
